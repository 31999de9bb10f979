"""Marketing attribution on the small tier, one partition per day of campaign data."""
