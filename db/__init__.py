"""Tables, engine and migrations of the bureau workspace."""
