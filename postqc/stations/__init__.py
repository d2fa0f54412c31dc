"""邮驿站: rest stations for outdoor workers — stations, amenities, hours, public finder, usage log."""
