"""What users test their own code with: hypothesis strategies for every model.

Import ``qse_customer.testing.strategies`` in your tests (hypothesis must be installed; it comes
with the ``test`` extra).
"""
