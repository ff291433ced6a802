"""Page objects: one class per screen or component of one portal, driven by roles and labels."""
