"""Permission codes of the sales plugin; record scope (own/team/territory/all) comes from the role."""

from core.api import Permission, RoleTemplate

OPPORTUNITY_READ = "sales.opportunity.read"
OPPORTUNITY_WRITE = "sales.opportunity.write"
PROCESS_MANAGE = "sales.process.manage"
REPORT_READ = "sales.report.read"
PLAN_MANAGE = "sales.plan.manage"

PERMISSIONS = [
    Permission(OPPORTUNITY_READ, "See opportunities and sales processes (as far as the role's record scope reaches)."),
    Permission(OPPORTUNITY_WRITE, "Create and work opportunities; qualify and convert leads."),
    Permission(PROCESS_MANAGE, "Define sales processes and their stages."),
    Permission(REPORT_READ, "See the funnel, pipeline flow, forecast, plans and rep scorecards."),
    Permission(PLAN_MANAGE, "Set sales plans for reps and teams."),
]

# Added to the core's sales roles; their record scope (territory, team) applies to opportunities too.
ROLE_TEMPLATES = [
    RoleTemplate("sales_rep", "", (OPPORTUNITY_READ, OPPORTUNITY_WRITE, REPORT_READ), extends=True),
    RoleTemplate("sales_manager", "", (OPPORTUNITY_READ, OPPORTUNITY_WRITE, REPORT_READ, PLAN_MANAGE), extends=True),
]
