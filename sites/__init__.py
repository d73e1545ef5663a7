"""What people take away: share links, exports, reports and the site registry."""
