"""The DEU reader's named capability conventions and their defaults (docs/data-deu.md,
"Capabilities").

Kept apart from :mod:`summitry.data.deu`, and free of numerical libraries, so that the
command line can offer the options and show their defaults without loading numpy.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "DEFAULT_INSTITUTIONS",
    "DEFAULT_UNANIMITY",
    "INSTITUTIONS",
    "UNANIMITY",
    "Institutions",
    "Unanimity",
]

Institutions = Literal["largest-member-both", "largest-member", "council-only"]
"""Capability of the Commission and the Parliament. ``largest-member-both``: both at the
largest member state's index on every issue (the DEU literature's convention);
``largest-member``: the Commission so, the Parliament only under codecision (0 under
consultation); ``council-only``: both 0."""
INSTITUTIONS: tuple[str, ...] = get_args(Institutions)
DEFAULT_INSTITUTIONS: Institutions = "largest-member-both"
"""The default everywhere DEU data is read, scored or calibrated: the convention behind
the published compromise-model figure (MAE 23.95 on the 171 valid issues of 1996-2000)."""

Unanimity = Literal["qmv", "equal"]
"""Member states' capability on unanimity issues: ``qmv`` the QMV index (as the DEU
literature does), ``equal`` the unanimity game's index, 1/n for each of the n members."""
UNANIMITY: tuple[str, ...] = get_args(Unanimity)
DEFAULT_UNANIMITY: Unanimity = "qmv"
