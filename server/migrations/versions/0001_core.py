"""core tables: offices, employees, kiosks, punches, seq gaps

Revision ID: 0001_core
Revises: 
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offices',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices'))
    )
    op.create_table('employees',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('office_id', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_employees_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employees'))
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_office_id'), ['office_id'], unique=False)

    op.create_table('kiosks',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('office_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('highest_contiguous_seq', sa.BigInteger(), nullable=False),
    sa.Column('highest_seq', sa.BigInteger(), nullable=False),
    sa.Column('reported_backlog', sa.Integer(), nullable=True),
    sa.Column('clock_offset_ms', sa.BigInteger(), nullable=True),
    sa.Column('clock_synced', sa.Boolean(), nullable=True),
    sa.Column('software_version', sa.String(length=64), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('status_json', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_kiosks_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosks'))
    )
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosks_office_id'), ['office_id'], unique=False)

    op.create_table('punches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kiosk_id', sa.String(length=64), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('employee_id', sa.String(length=64), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('clock_trusted', sa.Boolean(), nullable=False),
    sa.Column('corrected', sa.Boolean(), nullable=False),
    sa.Column('original_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('boot_id', sa.String(length=64), nullable=True),
    sa.Column('boottime_ms', sa.BigInteger(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_punches_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_punches')),
    sa.UniqueConstraint('kiosk_id', 'seq', name=op.f('uq_punches_kiosk_id_seq'))
    )
    with op.batch_alter_table('punches', schema=None) as batch_op:
        batch_op.create_index('ix_punches_employee_day', ['employee_id', 'local_date'], unique=False)
        batch_op.create_index('ix_punches_local_date', ['local_date'], unique=False)

    op.create_table('rejected_punches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_rejected_punches_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejected_punches')),
    sa.UniqueConstraint('kiosk_id', 'seq', name=op.f('uq_rejected_punches_kiosk_id_seq'))
    )
    op.create_table('seq_gaps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kiosk_id', sa.String(length=64), nullable=False),
    sa.Column('first_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_seq_gaps_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seq_gaps'))
    )
    with op.batch_alter_table('seq_gaps', schema=None) as batch_op:
        batch_op.create_index('ix_seq_gaps_kiosk_open', ['kiosk_id', 'closed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('seq_gaps', schema=None) as batch_op:
        batch_op.drop_index('ix_seq_gaps_kiosk_open')

    op.drop_table('seq_gaps')
    op.drop_table('rejected_punches')
    with op.batch_alter_table('punches', schema=None) as batch_op:
        batch_op.drop_index('ix_punches_local_date')
        batch_op.drop_index('ix_punches_employee_day')

    op.drop_table('punches')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosks_office_id'))

    op.drop_table('kiosks')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_office_id'))

    op.drop_table('employees')
    op.drop_table('offices')
