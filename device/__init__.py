"""Card readers, virtual cards and printers. Never imports `kiosk`."""
