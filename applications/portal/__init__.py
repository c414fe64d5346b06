"""The applicant portal (我的办事), mounted at /my/ by cms/urls.py (`urls`, namespace "portal").

`pages` dashboard, stations, creating and the state changes; `detail` the detail page;
`rows` technicians and invoice lines; `files` material files; `exports` the order list.
"""
