"""employee templates (sealed fingerprint templates for distribution)

Revision ID: 0200_templates
Revises: 0100_web
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0200_templates'
down_revision = '0100_web'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('employee_templates',
    sa.Column('employee_id', sa.String(length=64), nullable=False),
    sa.Column('office_id', sa.String(length=64), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=False),
    sa.Column('source_kiosk', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_employee_templates_employee_id_employees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_employee_templates_office_id_offices')),
    sa.PrimaryKeyConstraint('employee_id', name=op.f('pk_employee_templates'))
    )
    with op.batch_alter_table('employee_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_templates_office_id'), ['office_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('employee_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_templates_office_id'))
    op.drop_table('employee_templates')
