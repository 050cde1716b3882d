"""What users test their own code with: hypothesis strategies for every model, and contract
suites for their own backends.

- ``qse_customer.testing.strategies``: strategies for every record type, its events and parts;
  ``qse_customer.testing.notifications``: notifications.
- ``qse_customer.testing.store_contract.StoreContract``: subclass it and provide a
  ``store_factory`` fixture to run the store contract (including a hypothesis state machine
  against the memory store, ``qse_customer.testing.store_machine``) on your store.
- ``qse_customer.testing.notifier_contract.NotifierContract`` (fixture ``notifier``) and
  ``qse_customer.testing.survey_backend_contract.SurveyBackendContract`` (fixtures ``backend``
  and ``respond``) likewise.
- ``qse_customer.testing.servers``: throw-away PostgreSQL clusters and SMTP servers on loopback,
  each started on a free port with retries (run the store contract against PostgreSQL with
  ``PostgresCluster``).

hypothesis and pytest must be installed; they come with the ``test`` extra.
"""
