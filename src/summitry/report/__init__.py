"""Reports of a forecast that a reader can check and cite (docs/report.md).

- :mod:`summitry.report.figures`: plotly figures (settlement, deal, options game, drivers);
- :mod:`summitry.report.png`: the same charts as PNG files (matplotlib, Agg);
- :mod:`summitry.report.html`: one self-contained offline HTML page;
- :mod:`summitry.report.data`: the numbers all three take from a forecast.

The modules are imported on demand (plotly and matplotlib take a moment to load).
"""
