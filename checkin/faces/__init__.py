"""Faces: a person's photo on their card (read, cleaned, stored small, served by content
hash), and their initials on a colour of their own where there is no photo."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The photo route, and the template helpers that draw a face."""
    # Cycle guard: the views reach the people domain, which is built with the app.
    from checkin.faces.initials import initials, initials_colours
    from checkin.faces.views import bp, photo_url

    app.register_blueprint(bp)
    app.add_template_global(photo_url, "face_photo_url")
    app.add_template_global(initials, "face_initials")
    app.add_template_global(initials_colours, "face_colours")
