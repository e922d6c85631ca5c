"""The offline outbox, the wire protocol shared with the server, and the MQTT sync client."""
