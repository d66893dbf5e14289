"""Staff users, teams, territories, roles and personal access tokens."""
