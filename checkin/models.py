"""Every model, imported in one place so the metadata (and Alembic) sees the whole schema."""

from checkin.accounts.models import ApiToken, EventRole, Organizer, Role, StaffInvitation
from checkin.communities.models import Community, CommunityOwner
from checkin.connections.models import Connection, Note
from checkin.door.models import CheckIn, ScanKind
from checkin.events.models import Event, EventState
from checkin.faces.models import PersonPhoto
from checkin.guestlists.models import GuestlistUpload, StagedGuest
from checkin.introductions.models import Introduction
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.meeting_requests.models import MeetingRequest
from checkin.people.models import Attendee, Person, SearchTerm
from checkin.qr.models import QrDrawing
from checkin.ratelimit import AttemptBackoff, RateLimitCounter

__all__ = [
    "ApiToken", "AttemptBackoff", "Attendee", "CheckIn", "Community", "CommunityOwner",
    "Connection", "Event", "EventRole", "EventState", "GuestlistUpload", "Introduction",
    "MeetingRequest", "Note", "Organizer", "OutboxMessage", "OutboxStatus", "Person",
    "PersonPhoto", "QrDrawing", "RateLimitCounter", "Role", "ScanKind", "SearchTerm",
    "StaffInvitation", "StagedGuest",
]
