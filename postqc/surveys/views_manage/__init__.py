"""Manager pages of satisfaction surveys (/manage/surveys/…), one module per area:
questionnaires (surveys.py), the sample plan (plan.py), responses, review and paper import
(responses.py), the index reports (reports.py) and the outlets' QR posters (posters.py).

Who may do what: reading needs VIEW_MANAGE, writing MANAGE_SURVEYS as well. A manager opens the
surveys of their own unit and those of the units above it (selectors.surveys_for): the city's
survey, seen from a county, shows that county's responses, plan and index only (`scoped`).
Changing a survey (weights, collection, plan) is for managers of the unit that runs it; reviewing
a response is for managers whose subtree holds it and who may manage that survey.
"""
