"""Permission codes of the marketing plugin."""

from core.api import Permission, RoleTemplate

SEGMENT_READ = "marketing.segment.read"
SEGMENT_MANAGE = "marketing.segment.manage"
CAMPAIGN_READ = "marketing.campaign.read"
CAMPAIGN_MANAGE = "marketing.campaign.manage"
CAMPAIGN_SEND = "marketing.campaign.send"

PERMISSIONS = [
    Permission(SEGMENT_READ, "See segments, their size and members (as far as the role's record scope reaches)."),
    Permission(SEGMENT_MANAGE, "Define and change segments."),
    Permission(CAMPAIGN_READ, "See campaigns, occasion mailings and their results."),
    Permission(CAMPAIGN_MANAGE, "Write campaigns and occasion mailings, preview them, manage suppressed addresses."),
    Permission(CAMPAIGN_SEND, "Schedule, pause, resume and cancel campaigns."),
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
        ),
        "all",
    ),
    RoleTemplate("sales_manager", "", (SEGMENT_READ, CAMPAIGN_READ), extends=True),
]
