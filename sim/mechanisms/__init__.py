"""Rules shared by the agents: the capability pipeline (M1) and the crisis game (M9)."""
