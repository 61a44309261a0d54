"""communities: every event belongs to one, and a person is one row per community

Existing data: each event goes into the community of its first owner (one community per
owner, named after them; an event without an owner gets one of its own). Each person then
belongs to the community of their events, and people of one community who share an email
become one person: their registrations (and with them connections, notes, check-ins) all
point at the one card that was edited last, whose blanks are filled from the others. An
address that two people of one event share (a buyer's tickets for friends) is merged only
between rows with the same name.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 13:30:00

"""
import re
import unicodedata
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Card fields filled on the merged card from the other rows when it has them empty.
FILLED = ('first_name', 'last_name', 'headline', 'company', 'company_key', 'what_i_do', 'offer',
          'need', 'pitch', 'phone', 'language')


def _fold(text):
    # A copy of checkin.text.fold as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def _slugify(text, max_length=58):
    slug = re.sub(r"[^a-z0-9]+", "-", _fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "community"


def upgrade():
    op.create_table(
        'communities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('default_language', sa.String(length=2), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("default_language IN ('en', 'es')",
                           name=op.f('ck_communities_language')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_communities')),
        sa.UniqueConstraint('slug', name=op.f('uq_communities_slug')),
    )
    op.create_table(
        'community_owners',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('organizer_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id'],
                                name=op.f('fk_community_owners_community_id_communities'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'],
                                name=op.f('fk_community_owners_organizer_id_organizers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_community_owners')),
        sa.UniqueConstraint('community_id', 'organizer_id',
                            name=op.f('uq_community_owners_community_id_organizer_id')),
    )
    op.create_index(op.f('ix_community_owners_organizer_id'), 'community_owners',
                    ['organizer_id'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('community_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('community_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('listed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    connection = op.get_bind()
    _events_into_communities(connection)
    _people_into_communities(connection)
    _merge_people(connection)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('community_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_events_community_id'), ['community_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_events_community_id_communities'),
                                    'communities', ['community_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('community_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_people_community_id_email', ['community_id', 'email'],
                              unique=False)
        batch_op.create_index('ix_people_community_id_listed', ['community_id', 'listed'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_people_community_id_communities'),
                                    'communities', ['community_id'], ['id'], ondelete='CASCADE')


communities = sa.table('communities', sa.column('id', sa.Integer), sa.column('slug'),
                       sa.column('name'), sa.column('default_language'),
                       sa.column('created_at', sa.DateTime(timezone=True)))
owners = sa.table('community_owners', sa.column('community_id', sa.Integer),
                  sa.column('organizer_id', sa.Integer),
                  sa.column('created_at', sa.DateTime(timezone=True)))
events = sa.table('events', sa.column('id', sa.Integer), sa.column('name'),
                  sa.column('default_language'), sa.column('community_id', sa.Integer),
                  sa.column('created_at', sa.DateTime(timezone=True)))
roles = sa.table('event_roles', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
                 sa.column('organizer_id', sa.Integer), sa.column('role'))
organizers = sa.table('organizers', sa.column('id', sa.Integer), sa.column('email'),
                      sa.column('name'))
attendees = sa.table('attendees', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
                     sa.column('person_id', sa.Integer), sa.column('ticket_code'),
                     sa.column('card_code'), sa.column('search_key'))


def _new_community(connection, name, language, taken, created_at):
    base = _slugify(name)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return connection.execute(communities.insert().values(
        slug=slug, name=name[:200], default_language=language,
        created_at=created_at).returning(communities.c.id)).scalar_one()


def _events_into_communities(connection):
    """One community per organizer who is an event's first owner; one per ownerless event."""
    first_owner = {}
    for row in connection.execute(sa.select(roles.c.event_id, roles.c.organizer_id)
                                  .where(roles.c.role == 'owner').order_by(roles.c.id)):
        first_owner.setdefault(row.event_id, row.organizer_id)
    names = {row.id: row.name or row.email.split('@')[0]
             for row in connection.execute(sa.select(organizers.c.id, organizers.c.email,
                                                     organizers.c.name))}
    taken, of_owner = set(), {}
    for event in connection.execute(sa.select(events.c.id, events.c.name,
                                              events.c.default_language, events.c.created_at)
                                    .order_by(events.c.id)).all():
        owner = first_owner.get(event.id)
        if owner is None:
            community = _new_community(connection, event.name, event.default_language, taken,
                                       event.created_at)
        elif owner in of_owner:
            community = of_owner[owner]
        else:
            community = of_owner[owner] = _new_community(
                connection, names[owner], event.default_language, taken, event.created_at)
            connection.execute(owners.insert().values(community_id=community,
                                                      organizer_id=owner,
                                                      created_at=event.created_at))
        connection.execute(events.update().where(events.c.id == event.id)
                           .values(community_id=community))


def _people_table(connection):
    return sa.Table('people', sa.MetaData(), autoload_with=connection)


def _people_into_communities(connection):
    """Each person joins the community of their events; one with registrations in two
    communities is copied, so no person row is shared between communities."""
    people = _people_table(connection)
    rows = connection.execute(
        sa.select(attendees.c.id, attendees.c.person_id, events.c.community_id)
        .join(events, events.c.id == attendees.c.event_id).order_by(attendees.c.id)).all()
    homes = defaultdict(dict)  # person -> community -> [attendee ids]
    for row in rows:
        homes[row.person_id].setdefault(row.community_id, []).append(row.id)
    for person_id, by_community in homes.items():
        first, *others = by_community
        connection.execute(people.update().where(people.c.id == person_id)
                           .values(community_id=first))
        if not others:
            continue
        original = connection.execute(sa.select(people).where(people.c.id == person_id)).one()
        for community in others:
            values = {k: v for k, v in original._mapping.items() if k != 'id'}
            values['community_id'] = community
            copy_id = connection.execute(people.insert().values(**values)
                                         .returning(people.c.id)).scalar_one()
            connection.execute(attendees.update()
                               .where(attendees.c.id.in_(by_community[community]))
                               .values(person_id=copy_id))
    # A card without any registration is out of reach of everyone (no page shows it).
    orphans = sa.select(people.c.id).where(people.c.community_id.is_(None))
    photos = _photos_table(connection)
    connection.execute(photos.delete().where(photos.c.person_id.in_(orphans)))
    connection.execute(people.delete().where(people.c.community_id.is_(None)))


def _photos_table(connection):
    return sa.Table('person_photos', sa.MetaData(), autoload_with=connection)


def _merge_people(connection):
    """People of one community with one email become one (see the module's docstring)."""
    people = _people_table(connection)
    rows = connection.execute(sa.select(people).where(people.c.email != '')
                              .order_by(people.c.id)).all()
    groups = defaultdict(list)
    for row in rows:
        groups[(row.community_id, row.email)].append(row)
    groups = {key: group for key, group in groups.items() if len(group) > 1}
    if not groups:
        return
    ids = [row.id for group in groups.values() for row in group]
    events_of = defaultdict(set)
    for start in range(0, len(ids), 500):
        for row in connection.execute(sa.select(attendees.c.person_id, attendees.c.event_id)
                                      .where(attendees.c.person_id.in_(ids[start:start + 500]))):
            events_of[row.person_id].add(row.event_id)
    touched = []
    for group in groups.values():
        seen, shared = set(), False
        for row in group:
            shared = shared or bool(seen & events_of[row.id])
            seen |= events_of[row.id]
        clusters = [group] if not shared else _same_name_clusters(group, events_of)
        for cluster in clusters:
            if len(cluster) > 1:
                touched.append(_merge(connection, people, cluster))
    _refresh_search_keys(connection, people, touched)


def _same_name_clusters(group, events_of):
    clusters = []
    for row in group:
        for cluster in clusters:
            if _fold(cluster[0].display_name) == _fold(row.display_name) and not any(
                    events_of[row.id] & events_of[other.id] for other in cluster):
                cluster.append(row)
                break
        else:
            clusters.append([row])
    return clusters


def _merge(connection, people, cluster):
    """Keep the card edited last; fill its blanks from the others, newest first."""
    ordered = sorted(cluster, key=lambda r: (r.updated_at, r.id), reverse=True)
    keep, others = ordered[0], ordered[1:]
    values = {}
    for name in FILLED:
        if not getattr(keep, name):
            value = next((getattr(r, name) for r in others if getattr(r, name)), None)
            if value:
                values[name] = value
    if not keep.links:
        links = next((r.links for r in others if r.links), None)
        if links:
            values['links'] = links
    # The earliest of each: an unsubscribe holds, and an address a member has shown they read
    # (by signing in) stays theirs.
    for name in ('followups_unsubscribed_at', 'first_signed_in_at'):
        times = [getattr(r, name) for r in cluster if getattr(r, name)]
        if times:
            values[name] = min(times)
    if values:
        connection.execute(people.update().where(people.c.id == keep.id).values(**values))
    other_ids = [r.id for r in others]
    # The merged card keeps its photo, else takes the newest other card's (a photo's key is
    # unique, so the others' go with their rows).
    photos = _photos_table(connection)
    with_photo = set(connection.execute(sa.select(photos.c.person_id).where(
        photos.c.person_id.in_([r.id for r in cluster]))).scalars())
    if keep.id not in with_photo:
        donor = next((r.id for r in others if r.id in with_photo), None)
        if donor is not None:
            connection.execute(photos.update().where(photos.c.person_id == donor)
                               .values(person_id=keep.id))
    connection.execute(photos.delete().where(photos.c.person_id.in_(other_ids)))
    connection.execute(attendees.update().where(attendees.c.person_id.in_(other_ids))
                       .values(person_id=keep.id))
    connection.execute(people.delete().where(people.c.id.in_(other_ids)))
    return keep.id


def _refresh_search_keys(connection, people, person_ids):
    """Registrations moved to another card search by that card's name and company."""
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start:start + 500]
        cards = {r.id: r for r in connection.execute(
            sa.select(people).where(people.c.id.in_(chunk)))}
        for row in connection.execute(sa.select(attendees).where(
                attendees.c.person_id.in_(chunk))).all():
            card = cards[row.person_id]
            parts = (card.display_name, card.first_name, card.last_name, card.email,
                     card.company, row.ticket_code or '', row.card_code)
            key = _fold(' '.join(p for p in parts if p))[:800]
            connection.execute(attendees.update().where(attendees.c.id == row.id)
                               .values(search_key=key))


def downgrade():
    # The merged people stay merged: their registrations point at one card each.
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_people_community_id_communities'),
                                 type_='foreignkey')
        batch_op.drop_index('ix_people_community_id_listed')
        batch_op.drop_index('ix_people_community_id_email')
        batch_op.drop_column('listed')
        batch_op.drop_column('community_id')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_community_id_communities'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_events_community_id'))
        batch_op.drop_column('community_id')
    op.drop_index(op.f('ix_community_owners_organizer_id'), table_name='community_owners')
    op.drop_table('community_owners')
    op.drop_table('communities')
