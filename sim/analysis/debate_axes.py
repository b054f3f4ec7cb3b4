"""The debate's two axes, by name: the theses (scenario files in ``scenarios/theses/``) and the
US policies laid over them (overlays in ``scenarios/policies/``). Light, so that the command line
can offer them without importing the model."""

THESES = ("evolutionary", "reckoning", "deadline")
POLICIES = ("coerce", "cajole", "reassure", "deadline_2027")
