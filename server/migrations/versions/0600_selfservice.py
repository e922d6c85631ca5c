"""employees' side: personal sign-in, sign-in links, correction requests, training sessions and flags

Revision ID: 0600_selfservice
Revises: 0500_whistle
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db.base import UTCDateTime

revision = '0600_selfservice'
down_revision = '0500_whistle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'employee_accounts',
        sa.Column('employee_id', sa.String(length=64), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=True),
        sa.Column('session_epoch', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('password_set_at', UTCDateTime(), nullable=True),
        sa.Column('last_signin_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_employee_accounts_employee_id_employees'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('employee_id', name=op.f('pk_employee_accounts')),
    )
    op.create_table(
        'employee_signin_links',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('employee_id', sa.String(length=64), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_employee_signin_links_employee_id_employees'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_signin_links')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_employee_signin_links_token_sha256')),
    )
    op.create_index(op.f('ix_employee_signin_links_employee_id'), 'employee_signin_links', ['employee_id'], unique=False)
    op.create_table(
        'correction_requests',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('employee_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('punch_time', sa.String(length=5), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('attachment_name', sa.String(length=200), nullable=True),
        sa.Column('attachment_type', sa.String(length=100), nullable=True),
        sa.Column('attachment', sa.LargeBinary(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('submitted_at', UTCDateTime(), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('excuse_id', sa.Integer(), nullable=True),
        sa.Column('punch_ids', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_correction_requests_employee_id_employees'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_requests')),
    )
    op.create_index(op.f('ix_correction_requests_employee_id'), 'correction_requests', ['employee_id'], unique=False)
    op.create_index('ix_correction_requests_status', 'correction_requests', ['status', 'submitted_at'], unique=False)
    op.create_table(
        'training_sessions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('starts_at', UTCDateTime(), nullable=False),
        sa.Column('ends_at', UTCDateTime(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('mandatory', sa.Boolean(), nullable=False),
        sa.Column('kiosks', sa.JSON(), nullable=False),
        sa.Column('invited_employees', sa.JSON(), nullable=False),
        sa.Column('invited_units', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions')),
    )
    op.create_index(op.f('ix_training_sessions_starts_at'), 'training_sessions', ['starts_at'], unique=False)
    op.create_table(
        'training_flags',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('employee_id', sa.String(length=64), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('sessions', sa.JSON(), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('raised_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_training_flags_employee_id_employees'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_flags')),
    )
    op.create_index(op.f('ix_training_flags_employee_id'), 'training_flags', ['employee_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_training_flags_employee_id'), table_name='training_flags')
    op.drop_table('training_flags')
    op.drop_index(op.f('ix_training_sessions_starts_at'), table_name='training_sessions')
    op.drop_table('training_sessions')
    op.drop_index('ix_correction_requests_status', table_name='correction_requests')
    op.drop_index(op.f('ix_correction_requests_employee_id'), table_name='correction_requests')
    op.drop_table('correction_requests')
    op.drop_index(op.f('ix_employee_signin_links_employee_id'), table_name='employee_signin_links')
    op.drop_table('employee_signin_links')
    op.drop_table('employee_accounts')
