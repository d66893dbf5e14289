"""Sales: leads qualified and converted, opportunities in administrator-defined processes, the
funnel, plans and forecasts (MISSION F20-F23)."""
