"""Structured applications (报装、补贴申请) arrive with the applicant portal."""
