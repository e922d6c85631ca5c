"""web UI: counseling cases link the flag that opened them and the adjusted hours they agreed

Revision ID: 0400_web_counseling
Revises: 0300_rules
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0400_web_counseling'
down_revision = '0300_rules'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('web_counseling_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('adjusted_hours_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('web_counseling_cases', schema=None) as batch_op:
        batch_op.drop_column('adjusted_hours_id')
        batch_op.drop_column('flag_id')
