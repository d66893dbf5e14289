"""The client file: companies, persons, their contact points, addresses and tags (MISSION F1)."""
