"""Rules shared by the agents: capability pipeline (M1), the crisis game (M9), alliance indices (M6, M7)."""
