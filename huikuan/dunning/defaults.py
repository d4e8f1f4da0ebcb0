"""The default ladder, seeded into the editable tables by migration: reminders for blue, a notice and
a lawyer letter for yellow, legal action for red. (name, kinds, segment, steps) with steps as
(name, channel, anchor, days, business_days, min_level)."""

from __future__ import annotations

LOANS = ["mortgage_loan", "provident_loan"]

POLICIES = [
    ("银行贷款未放款 bank loan late", LOANS, "any", [
        ("按揭专员跟进电话", "phone_call", "after_due", 3, True, "blue"),
        ("放款进度提醒", "email", "after_previous", 10, False, "blue"),
        ("书面付款通知", "payment_notice", "after_due", 61, False, "yellow"),
    ]),
    ("VIP 客户", [], "vip", [
        ("到期前温馨提示", "courtesy", "before_due", 3, False, "blue"),
        ("顾问电话", "phone_call", "after_due", 3, True, "blue"),
        ("邮件提醒", "email", "after_previous", 7, False, "blue"),
        ("书面付款通知", "payment_notice", "after_due", 45, False, "yellow"),
        ("律师函", "lawyer_letter", "after_previous", 30, False, "yellow"),
        ("诉讼移交", "litigation", "after_due", 120, False, "red"),
    ]),
    ("标准催收 standard", [], "any", [
        ("到期前温馨提示", "courtesy", "before_due", 3, False, "blue"),
        ("逾期短信", "sms", "after_due", 1, False, "blue"),
        ("逾期邮件", "email", "after_previous", 3, False, "blue"),
        ("催收电话", "phone_call", "after_previous", 5, True, "blue"),
        ("书面付款通知", "payment_notice", "after_due", 31, False, "yellow"),
        ("律师函", "lawyer_letter", "after_previous", 15, False, "yellow"),
        ("诉讼移交", "litigation", "after_due", 91, False, "red"),
        ("财产保全 / 司法拍卖跟踪", "asset_preservation", "after_previous", 30, False, "red"),
    ]),
]
