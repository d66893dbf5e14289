"""Staff users, teams, territories, roles and personal access tokens, as a built-in plugin."""

from __future__ import annotations

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import LoaderSpec, Permission, Plugin, PluginInfo, RoleTemplate, Surface, TypeExtension

# Working clients by phone and in person: what a sales rep and a call-centre agent share.
CLIENT_WORK = (
    "core.company.read",
    "core.company.write",
    "core.person.read",
    "core.person.write",
    "core.timeline.write",
    "core.consent.manage",
    "core.call_queue.read",
    "core.call_queue.work",
)


class AccessPlugin(Plugin):
    info = PluginInfo(description="Staff users, teams, territories, roles and personal access tokens.")

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.user.read", "See staff users, roles, teams and territories."),
            Permission("core.user.manage", "Create and change staff users, teams and territories."),
            Permission("core.role.manage", "Create and change roles and what they grant."),
        ]

    @hookimpl
    def kartoteka_role_templates(self) -> list[RoleTemplate]:
        # The core's staff roles span its features (the registry checks the codes once every
        # plugin has registered its permissions); roles are this feature's business.
        return [
            RoleTemplate("administrator", "Every permission of every enabled plugin, on all records.", ("*",), "all"),
            RoleTemplate(
                "operator",
                "Runs the installation: deployment information and failed background work.",
                ("core.system.read", "core.jobs.read", "core.jobs.manage"),
                "all",
            ),
            RoleTemplate(
                "sales_rep",
                "Works the clients of their territories and their own.",
                (*CLIENT_WORK, "core.task.write"),
                "territory",
            ),
            RoleTemplate(
                "sales_manager",
                "Leads a team: sees and changes the clients of the team's members.",
                (
                    "core.company.read",
                    "core.company.write",
                    "core.company.delete",
                    "core.person.read",
                    "core.person.write",
                    "core.person.delete",
                    "core.personal_data.read",
                    "core.user.read",
                    "core.timeline.write",
                    "core.consent.manage",
                    "core.task.read",
                    "core.task.write",
                    "core.task.assign",
                    "core.call_queue.read",
                    "core.call_queue.work",
                    "core.call_queue.assign",
                    "core.mail.read",
                    "core.mail.manage",
                ),
                "team",
            ),
            RoleTemplate(
                "call_agent",
                "Works the call queue of their own and their team's: calls, logs outcomes, updates contacts.",
                CLIENT_WORK,
                # A call centre calls whoever the queue holds; what it is given is the limit.
                "all",
            ),
        ]

    @hookimpl
    def kartoteka_dataloaders(self) -> list[LoaderSpec]:
        from core.access.graphql import loaders

        return [
            LoaderSpec(name="core.team", batch=loaders.load_teams),
            LoaderSpec(name="core.territory", batch=loaders.load_territories),
            LoaderSpec(name="core.roles_by_user", batch=loaders.load_roles_by_user),
            LoaderSpec(name="core.territories_by_user", batch=loaders.load_territories_by_user),
        ]

    @hookimpl
    def kartoteka_graphql_type_extensions(self, surface: Surface) -> list[TypeExtension]:
        from core.access.graphql.types import ViewerAccessFields

        return [TypeExtension(target="Viewer", fields=ViewerAccessFields)] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.access.graphql.queries import AccessQuery

        return [AccessQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.access.graphql.mutations import AccessMutation

        return [AccessMutation] if surface == "staff" else []

    @hookimpl
    def kartoteka_cli_commands(self) -> list:
        from core.access.cli import token, user

        return [user, token]
