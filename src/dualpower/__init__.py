"""dualpower: directly democratic bodies run themselves."""
