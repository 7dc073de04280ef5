"""Widgets for the course notebooks and the Voila dashboards.

Views only collect input, call the pure functions of the topic modules and draw the
result. Shared pieces (message area, upload, download links, chart image) live in
:mod:`kamcourse.views.common`; each dashboard has its own module, e.g.
:func:`kamcourse.views.dso.dso_dashboard` and :func:`kamcourse.views.funnel.funnel_dashboard`.
"""
