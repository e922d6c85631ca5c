"""Sub-commands of `hadir-kiosk`, one module each (registered in kiosk.cli.COMMAND_MODULES)."""
