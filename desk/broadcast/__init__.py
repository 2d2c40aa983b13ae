"""The pure core of bulletins and the forward schedule of change: services, audiences,
rendering, London time and calendar events. No database, no I/O."""
