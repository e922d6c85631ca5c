"""anonymous reporting: whistle_reports, whistle_messages, whistle_evidence

Revision ID: 0500_whistle
Revises: 0400_web_counseling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0500_whistle'
down_revision = '0400_web_counseling'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('whistle_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receipt_digest', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('when_text', sa.String(length=200), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('employee_id', sa.String(length=64), nullable=True),
    sa.Column('counseling_case_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('updated_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['web_users.id'], name=op.f('fk_whistle_reports_assignee_id_web_users')),
    sa.ForeignKeyConstraint(['counseling_case_id'], ['web_counseling_cases.id'], name=op.f('fk_whistle_reports_counseling_case_id_web_counseling_cases')),
    sa.ForeignKeyConstraint(['employee_id'], ['employees.id'], name=op.f('fk_whistle_reports_employee_id_employees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whistle_reports')),
    sa.UniqueConstraint('receipt_digest', name=op.f('uq_whistle_reports_receipt_digest'))
    )
    with op.batch_alter_table('whistle_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whistle_reports_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_whistle_reports_unit'), ['unit'], unique=False)

    op.create_table('whistle_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=16), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['whistle_reports.id'], name=op.f('fk_whistle_messages_report_id_whistle_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['web_users.id'], name=op.f('fk_whistle_messages_reviewer_id_web_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whistle_messages'))
    )
    with op.batch_alter_table('whistle_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whistle_messages_report_id'), ['report_id'], unique=False)

    op.create_table('whistle_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['whistle_reports.id'], name=op.f('fk_whistle_evidence_report_id_whistle_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whistle_evidence'))
    )
    with op.batch_alter_table('whistle_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_whistle_evidence_report_id'), ['report_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('whistle_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whistle_evidence_report_id'))
    op.drop_table('whistle_evidence')
    with op.batch_alter_table('whistle_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whistle_messages_report_id'))
    op.drop_table('whistle_messages')
    with op.batch_alter_table('whistle_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_whistle_reports_unit'))
        batch_op.drop_index(batch_op.f('ix_whistle_reports_status'))
    op.drop_table('whistle_reports')
