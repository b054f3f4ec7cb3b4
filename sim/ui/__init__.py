"""The seminar web app: run and steer the simulation in the browser (natosim ui)."""
