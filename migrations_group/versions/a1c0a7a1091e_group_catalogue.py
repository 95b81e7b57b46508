"""the group catalogue: mines, group administrators, group standards and their publication

Revision ID: a1c0a7a1091e
Revises:
Create Date: 2026-12-04 23:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a1c0a7a1091e"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "group_mine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("short_name", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(code) BETWEEN 2 AND 16", name=op.f("ck_group_mine_code_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_mine")),
        sa.UniqueConstraint("code", name=op.f("uq_group_mine_code")),
    )
    op.create_table(
        "group_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("session_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_user")),
        sa.UniqueConstraint("username", name=op.f("uq_group_user_username")),
    )
    op.create_table(
        "group_standard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("profession", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "profession IN ('coal', 'tunnel', 'electro', 'transport', 'ventilation', '5e')",
            name=op.f("ck_group_standard_profession_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_standard")),
        sa.UniqueConstraint("title", name=op.f("uq_group_standard_title")),
    )
    op.create_table(
        "group_standard_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("items_csv", sa.LargeBinary(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["group_standard.id"],
            name=op.f("fk_group_standard_version_standard_id_group_standard"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_standard_version")),
        sa.UniqueConstraint(
            "standard_id", "number", name=op.f("uq_group_standard_version_standard_id_number")
        ),
    )
    op.create_table(
        "group_publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("mine_id", sa.Integer(), nullable=False),
        sa.Column("mine_version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mine_id"], ["group_mine.id"], name=op.f("fk_group_publication_mine_id_group_mine")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["group_standard_version.id"],
            name=op.f("fk_group_publication_version_id_group_standard_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_publication")),
        sa.UniqueConstraint("version_id", "mine_id", name=op.f("uq_group_publication_version_id_mine_id")),
    )


def downgrade():
    for table in (
        "group_publication",
        "group_standard_version",
        "group_standard",
        "group_user",
        "group_mine",
    ):
        op.drop_table(table)
