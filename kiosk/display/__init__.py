"""What the employee sees and hears: the 16x2 LCD, the LEDs and the buzzer."""
