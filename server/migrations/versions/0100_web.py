"""web UI: users, units, API tokens, audit trail, counseling, reward confirmations

Revision ID: 0100_web
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0100_web'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_audit_events'))
    )
    with op.batch_alter_table('web_audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_web_audit_at', ['at'], unique=False)
        batch_op.create_index('ix_web_audit_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('web_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_signin_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_users')),
    sa.UniqueConstraint('username', name=op.f('uq_web_users_username'))
    )
    op.create_table('web_api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['web_users.id'], name=op.f('fk_web_api_tokens_user_id_web_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_api_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_web_api_tokens_token_sha256'))
    )
    op.create_table('web_user_units',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['web_users.id'], name=op.f('fk_web_user_units_user_id_web_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'unit', name=op.f('pk_web_user_units'))
    )
    op.create_table('web_counseling_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.String(length=64), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=False),
    sa.Column('counseled_on', sa.Date(), nullable=True),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('agreed_action', sa.Text(), nullable=False),
    sa.Column('adjusted_start', sa.String(length=5), nullable=True),
    sa.Column('adjusted_end', sa.String(length=5), nullable=True),
    sa.Column('adjusted_from', sa.Date(), nullable=True),
    sa.Column('adjusted_until', sa.Date(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_web_counseling_cases_employee_id_employees')),
    sa.ForeignKeyConstraint(['opened_by'], ['web_users.id'], name=op.f('fk_web_counseling_cases_opened_by_web_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_counseling_cases'))
    )
    with op.batch_alter_table('web_counseling_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_counseling_cases_employee_id'), ['employee_id'], unique=False)

    op.create_table('web_reward_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by', sa.Integer(), nullable=False),
    sa.Column('certificate_no', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by'], ['web_users.id'], name=op.f('fk_web_reward_confirmations_confirmed_by_web_users')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_web_reward_confirmations_employee_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_reward_confirmations')),
    sa.UniqueConstraint('certificate_no', name=op.f('uq_web_reward_confirmations_certificate_no')),
    sa.UniqueConstraint('employee_id', 'year', 'kind', name=op.f('uq_web_reward_confirmations_employee_id_year_kind'))
    )
    with op.batch_alter_table('web_reward_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_reward_confirmations_employee_id'), ['employee_id'], unique=False)

    op.create_table('web_counseling_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['web_users.id'], name=op.f('fk_web_counseling_notes_author_id_web_users')),
    sa.ForeignKeyConstraint(['case_id'], ['web_counseling_cases.id'], name=op.f('fk_web_counseling_notes_case_id_web_counseling_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_counseling_notes'))
    )


def downgrade() -> None:
    op.drop_table('web_counseling_notes')
    with op.batch_alter_table('web_reward_confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_reward_confirmations_employee_id'))

    op.drop_table('web_reward_confirmations')
    with op.batch_alter_table('web_counseling_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_counseling_cases_employee_id'))

    op.drop_table('web_counseling_cases')
    op.drop_table('web_user_units')
    op.drop_table('web_api_tokens')
    op.drop_table('web_users')
    with op.batch_alter_table('web_audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_web_audit_subject')
        batch_op.drop_index('ix_web_audit_at')

    op.drop_table('web_audit_events')
