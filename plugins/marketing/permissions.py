"""Permission codes of the marketing plugin."""

from core.api import Permission, RoleTemplate

SEGMENT_READ = "marketing.segment.read"
SEGMENT_MANAGE = "marketing.segment.manage"
CAMPAIGN_READ = "marketing.campaign.read"
CAMPAIGN_MANAGE = "marketing.campaign.manage"
CAMPAIGN_SEND = "marketing.campaign.send"
FORM_READ = "marketing.form.read"
FORM_MANAGE = "marketing.form.manage"
LEAD_MERGE = "marketing.lead.merge"
LEAD_ROUTE = "marketing.lead.route"

PERMISSIONS = [
    Permission(SEGMENT_READ, "See segments, their size and members (as far as the role's record scope reaches)."),
    Permission(SEGMENT_MANAGE, "Define and change segments."),
    Permission(CAMPAIGN_READ, "See campaigns, occasion mailings and their results."),
    Permission(CAMPAIGN_MANAGE, "Write campaigns and occasion mailings, preview them, manage suppressed addresses."),
    Permission(CAMPAIGN_SEND, "Schedule, pause, resume and cancel campaigns."),
    Permission(FORM_READ, "See web forms, what visitors sent through them, and the merge queue."),
    Permission(FORM_MANAGE, "Define web forms and the sites allowed to report web activity."),
    Permission(LEAD_MERGE, "Resolve the merge queue: merge a web lead into the record it resembles, or keep both."),
    Permission(LEAD_ROUTE, "Define lead routing rules and see the leads no rule placed."),
]

ROLE_TEMPLATES = [
    RoleTemplate(
        "marketer",
        "Builds segments and campaigns and sends them.",
        # Reading the client file is what segments and previews are made of.
        (
            "core.person.read",
            "core.company.read",
            SEGMENT_READ,
            SEGMENT_MANAGE,
            CAMPAIGN_READ,
            CAMPAIGN_MANAGE,
            CAMPAIGN_SEND,
            FORM_READ,
            FORM_MANAGE,
            LEAD_MERGE,
            # Merging a web lead into an existing record changes both.
            "core.person.write",
            "core.company.write",
        ),
        "all",
    ),
    RoleTemplate("sales_manager", "", (SEGMENT_READ, CAMPAIGN_READ, FORM_READ, LEAD_ROUTE), extends=True),
]
