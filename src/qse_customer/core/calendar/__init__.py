"""A lab's working calendar: time zone, working days, opening hours and public holidays.

The package's one public class is :class:`WorkingCalendar` (with :data:`AfterClosing`, the choice
of what a receipt after closing time counts as); its modules are how it works:

- ``model``: the calendar itself, an immutable value, and the questions it answers;
- ``settings``: checks of the settings it is built from;
- ``opening_hours``: weekly opening hours, read, written back and put in words;
- ``holiday_data``: public holidays from the holidays package, fetched once;
- ``instants``: epoch microseconds and the UTC instants of local wall-clock times;
- ``tables``: every working day and opening interval, built once and searched;
- ``arguments``: checks of the questions' arguments;
- ``batch``: the same questions over arrays of epoch seconds (numpy, or plain Python).
"""

from .model import AfterClosing, WorkingCalendar

__all__ = ["AfterClosing", "WorkingCalendar"]
