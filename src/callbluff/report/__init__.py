"""The HTML report: one self-contained file with the whole analysis of a scenario.

``callbluff.report.html.build_report`` / ``write_report`` make it;
``callbluff.report.tree_svg.tree_svg`` draws a game tree as Gambit does.
See docs/report-and-web.md.
"""
