"""The /manage/ pages of units, outlets, staff and vehicles.

Every view: sign-in, then `require(VIEW_MANAGE)`, then the object through
`get_scoped_or_404` (another unit's record is a 404), then — for writes — the
edit capability (403), the form, and an org.services call.
"""
