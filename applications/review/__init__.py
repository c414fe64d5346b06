"""The reviewers' side of the Wagtail admin (审核工作台), registered by wagtail_hooks.py.

`base` who may see what, URLs and the audit log; `index` the list; `filters` its filters;
`detail` the review page; `actions` its POST actions; `files` preview and download.
"""
