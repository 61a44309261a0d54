"""Whom to meet, during the event: "People to meet here" on My card."""
