"""What people look at, above the analysis: the dashboard in a browser (:mod:`cinelake.views.dashboard`)
and the answers on a terminal or as the JSON document (:mod:`cinelake.views.answers`).

Views only read: every number they show comes from :mod:`cinelake.analysis`, the same code as
``cinelake analyze``.
"""
