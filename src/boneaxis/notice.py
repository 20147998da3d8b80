"""The one plain statement every user-facing output carries."""

DISCLAIMER = (
    "boneaxis is a research simulator: it informs, it does not prescribe. "
    "Do not start, stop or change any treatment because of its output; discuss it with your clinician."
)
