"""Reading post-mortems however they are written: their parts and their failure modes."""
