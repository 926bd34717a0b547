"""studios whose free time changed since it was last published, marked by triggers

Revision ID: availability_0009_free_time
Revises: availability_0008_extra_hours
Create Date: 2026-12-04

Every write that can change when a studio's rooms are free (reservations going live or ending,
weekly rules, blackouts, extra hours, the booking policy, the studio itself, an external
calendar's fetch) appends the studio's id in the same transaction. The rows are only ever
inserted, so writers never wait for each other on them; the publisher claims the committed
ones, publishes each studio's free time once and deletes what it claimed.
"""
from alembic import op
import sqlalchemy as sa

revision = "availability_0009_free_time"
down_revision = "availability_0008_extra_hours"
branch_labels = None
depends_on = None

# (table, trigger function, events): each table names its studio its own way.
TRIGGERS = (
    ("reservations", "free_time_outdated_by_studio_id", "INSERT OR DELETE"),
    ("weekly_rules", "free_time_outdated_by_studio_id", "INSERT OR UPDATE OR DELETE"),
    ("blackouts", "free_time_outdated_by_studio_id", "INSERT OR UPDATE OR DELETE"),
    ("extra_hours", "free_time_outdated_by_studio_id", "INSERT OR UPDATE OR DELETE"),
    ("booking_policies", "free_time_outdated_by_studio_id", "INSERT OR UPDATE OR DELETE"),
    ("studios", "free_time_outdated_by_id", "INSERT OR UPDATE"),
    (
        "external_calendars",
        "free_time_outdated_by_studio_id",
        "INSERT OR DELETE OR UPDATE OF fetched_at",
    ),
)


def upgrade() -> None:
    op.create_table(
        "free_time_outdated",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("studio_id", sa.Uuid(), nullable=False),
        sa.Column(
            "marked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
    )
    for function, column in (
        ("free_time_outdated_by_studio_id", "studio_id"),
        ("free_time_outdated_by_id", "id"),
    ):
        op.execute(
            f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO free_time_outdated (studio_id)
                VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.{column} ELSE NEW.{column} END);
                RETURN NULL;
            END $$
            """
        )
    for table, function, events in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {table}_free_time AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    # A reservation changes free time when it goes from live (held, booked) to ended or back;
    # a hold becoming booked does not.
    op.execute(
        "CREATE TRIGGER reservations_free_time_status AFTER UPDATE OF status ON reservations "
        "FOR EACH ROW WHEN ((OLD.status IN ('held', 'booked')) "
        "IS DISTINCT FROM (NEW.status IN ('held', 'booked'))) "
        "EXECUTE FUNCTION free_time_outdated_by_studio_id()"
    )
    op.execute("INSERT INTO free_time_outdated (studio_id) SELECT id FROM studios")


def downgrade() -> None:
    op.execute("DROP TRIGGER reservations_free_time_status ON reservations")
    for table, _, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER {table}_free_time ON {table}")
    op.execute("DROP FUNCTION free_time_outdated_by_studio_id()")
    op.execute("DROP FUNCTION free_time_outdated_by_id()")
    op.drop_table("free_time_outdated")
