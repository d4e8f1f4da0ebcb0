"""The quarterly review's content, built from the kpis document: five sections of text, tables and charts.

1 results against targets, 2 process, 3 difficulties, 4 tools, 5 next quarter (issue 6). Nothing is
computed here that the kpis document does not hold; this module only chooses, orders and words it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..kpis import kpis_data
from ..measures.base import Scope
from ..periods import Period
from .formatting import NONE, days, dec, growth, pct, pct_number, points, wan, wan_number
from .model import Chart, Review, Section, Table, Text

PRODUCT_LINES = {"residential": "住宅", "commercial": "商业", "office": "写字楼", "loft": "LOFT公寓"}
METHODS = {"mortgage": "商业按揭", "provident_fund": "公积金贷款", "lump_sum": "一次性付款",
           "installment": "分期付款", "combination": "组合贷款"}
STAGES = {"documents": "资料收集", "submitted": "已提交银行", "interview": "面签", "appraisal": "评估",
          "approval": "审批中", "approved": "已批贷", "loan_contract": "已签借款合同"}
LEVELS = {"blue": "蓝色预警", "yellow": "黄色预警", "red": "红色预警"}
LEGAL = {"lawyer_letter": "律师函", "litigation": "诉讼", "asset_preservation": "财产保全"}
CHANNELS = {"sms": "短信", "email": "电子邮件", "push": "App推送", "courtesy": "温馨提醒"}
CLOSE_REASONS = {"paid": "全额回款", "restructured": "债务重组", "cancelled": "合同解除", "manual": "人工结案"}
UNAVAILABLE = "暂无数据"


def _note(data: dict[str, Any], key: str) -> str:
    return f"{UNAVAILABLE}（{data['notes'].get(key, '')}）"


def _project_name(data: dict[str, Any], code: str) -> str:
    return data["projects"].get(code, {}).get("name", code)


def results(data: dict[str, Any]) -> Section:
    s = Section(1, "经营成果与目标达成", "Results against targets")
    s.blocks.append(Text([
        f"本季度签约 {data['signed_units']} 套，签约金额 {wan(data['signed_amount'])}，"
        f"销售目标完成率 {pct(data['target_completion_total'])}。",
        "区域完成率：" + "；".join(f"{data['regions'].get(code, code)} {pct(v)}"
                             for code, v in data["target_completion_by_region"].items()) + "。",
        "业态签约占比：" + "；".join(f"{PRODUCT_LINES.get(line, line)} {pct(v)}"
                              for line, v in data["signed_share_by_product_line"].items()) + "。",
    ], ["signed_units", "signed_amount", "target_completion_total", "target_completion_by_region",
        "signed_share_by_product_line"]))
    codes = sorted(set(data["target_completion"]) | set(data["sell_through"]))
    s.blocks.append(Chart("各项目销售目标完成率", "bar", [_project_name(data, c) for c in codes],
                          [("目标完成率", [pct_number(data["target_completion"].get(c)) for c in codes])],
                          "%", ["target_completion"]))
    lines = data["target_completion_by_product_line"]
    s.blocks.append(Table("分业态目标完成", ["业态", "目标完成率", "签约金额占比"],
                          [[PRODUCT_LINES.get(line, line), pct(v), pct(data["signed_share_by_product_line"].get(line))]
                           for line, v in lines.items()],
                          ["target_completion_by_product_line", "signed_share_by_product_line"]))
    s.blocks.append(Text([
        f"本季度回款 {wan(data['collections_total'])}，同比{growth(data['collections_yoy'])}"
        f"（去年同期 {wan(data['collections_last_year'])}），环比{growth(data['collections_qoq'])}。",
        f"回款目标完成率 {pct(data['collections_target_completion'])}；"
        f"截至季末应收已收比例（回款率）{pct(data['collection_rate'])}；DSO {days(data['dso'])}。",
    ], ["collections_total", "collections_yoy", "collections_last_year", "collections_qoq",
        "collections_target_completion", "collection_rate", "dso"]))
    by_method = data["collections_by_method"]
    s.blocks.append(Chart("回款按付款方式（万元）", "pie", [METHODS[m] for m in by_method],
                          [("回款", [wan_number(v) for v in by_method.values()])], "万元",
                          ["collections_by_method", "collections_by_method_share"]))
    s.blocks.append(Chart("回款同比与环比（万元）", "bar", ["去年同期", "上季度", "本季度"],
                          [("回款", [wan_number(data["collections_last_year"]),
                                     wan_number(data["collections_previous_quarter"]),
                                     wan_number(data["collections_total"])])], "万元",
                          ["collections_last_year", "collections_previous_quarter", "collections_total"]))
    cycle = data["collection_cycle_by_product_line"]
    s.blocks.append(Table("回款周期（签约至全款到账）", ["分组", "平均天数"],
                          [[PRODUCT_LINES.get(k, k), days(v)] for k, v in cycle.items()]
                          + [[METHODS.get(k, k), days(v)] for k, v in data["collection_cycle_by_method"].items()]
                          + [["全部（P90）", days(data["collection_cycle_p90"])]],
                          ["collection_cycle_by_product_line", "collection_cycle_by_method", "collection_cycle_p90"]))
    levels = data["overdue_by_warning_level"]
    level_text = ("；".join(f"{LEVELS.get(k, k)} {wan(v)}" for k, v in levels.items()) if levels
                  else _note(data, "overdue_by_warning_level"))
    s.blocks.append(Text([
        f"逾期30天以上金额 {wan(data['overdue_over_30_amount'])}，占应收 {pct(data['overdue_over_30_ratio'], 2)}，"
        f"较上季度（{pct(data['overdue_over_30_ratio_previous'], 2)}）{points(data['overdue_over_30_ratio_change'])}。",
        f"预警分级：{level_text}。",
    ], ["overdue_over_30_amount", "overdue_over_30_ratio", "overdue_over_30_ratio_previous",
        "overdue_over_30_ratio_change", "overdue_by_warning_level"]))
    now, before = data["bank_disbursement_days"], data["bank_disbursement_days_previous"]
    if now is None:
        s.blocks.append(Text([f"银行放款速度：{_note(data, 'bank_disbursement_days')}。"],
                             ["bank_disbursement_days"]))
    else:
        bank_codes = sorted(set(now) | set(before or {}))
        s.blocks.append(Chart("合作银行平均放款天数（自受理申请至放款）", "bar",
                              [data["banks"].get(c, c) for c in bank_codes],
                              [("上季度", [dec((before or {}).get(c)) for c in bank_codes]),
                               ("本季度", [dec(now.get(c)) for c in bank_codes])], "天",
                              ["bank_disbursement_days_previous", "bank_disbursement_days"]))
        s.blocks.append(Text([
            f"全部合作银行平均放款天数（自银行受理贷款申请至放款）：上季度 "
            f"{days(data['disbursement_days_all_banks_previous'])}，"
            f"本季度 {days(data['disbursement_days_all_banks'])}；"
            "各行P90：" + "；".join(f"{data['banks'].get(c, c)} {days(v)}"
                                   for c, v in (data["bank_disbursement_days_p90"] or {}).items()) + "。",
        ], ["disbursement_days_all_banks_previous", "disbursement_days_all_banks", "bank_disbursement_days_p90"]))
    share = data["project_collections_share"]
    headers = ["项目", "回款占比", "回款排名", "上季排名", "去化率", "VIP复购占比", "老带新占比"]
    rank, before = data["project_collections_rank"], data["project_collections_rank_previous"]
    s.blocks.append(Table("重点项目贡献", headers,
                          [[_project_name(data, c), pct(share.get(c)), str(rank.get(c, NONE)),
                            str(before.get(c, NONE)), pct(data["sell_through"].get(c)),
                            pct(data["vip_repeat_purchase_share"].get(c)), pct(data["referral_purchase_share"].get(c))]
                           for c in sorted(share, key=lambda c: -Decimal(share[c] or 0))],
                          ["project_collections_share", "project_collections_rank",
                           "project_collections_rank_previous", "sell_through", "vip_repeat_purchase_share",
                           "referral_purchase_share"]))
    return s


def process(data: dict[str, Any]) -> Section:
    s = Section(2, "过程管理", "Process")
    final = data["final_payments"]
    s.blocks.append(Text([
        f"签约至首付到账平均 {days(data['signing_to_down_payment_days'])}；"
        f"首付按期到账率 {pct(data['down_payment_arrival_rate'])}。",
        f"本季度到期尾款 {wan(final['due'])}，季末已收 {wan(final['collected'])}（{pct(final['rate'])}）。",
    ], ["signing_to_down_payment_days", "down_payment_arrival_rate", "final_payments"]))
    agents = data["down_payment_arrival_rate_by_agent"]
    s.blocks.append(Table("置业顾问首付按期到账率", ["置业顾问", "到账率"],
                          [[agent or "（未指定）", pct(v)] for agent, v in agents.items()],
                          ["down_payment_arrival_rate_by_agent"]))
    pipeline = data["mortgage_pipeline"]
    if pipeline is None:
        s.blocks.append(Text([f"按揭在途：{_note(data, 'mortgage_pipeline')}"], ["mortgage_pipeline"]))
    else:
        s.blocks.append(Chart("季末按揭在途金额（万元）", "bar", [STAGES.get(k, k) for k in pipeline],
                              [("在途金额", [wan_number(v) for v in pipeline.values()])], "万元",
                              ["mortgage_pipeline"]))
    return s


def difficulties(data: dict[str, Any]) -> Section:
    s = Section(3, "难点与问题", "Difficulties")
    flags, rejected = data["credit_flags"], data["mortgage_rejections"]
    s.blocks.append(Text([
        "征信问题客户：" + (f"预审 {flags['checked']} 户，异常 {flags['flagged']} 户" if flags
                      else _note(data, "credit_flags")) + "。",
        "按揭拒贷：" + (f"{rejected['count']} 笔，金额 {wan(rejected['amount'])}，其中 "
                     f"{rejected['followed_by_another_application']} 笔已转备选银行或公积金" if rejected
                     else _note(data, "mortgage_rejections")) + "。",
    ], ["credit_flags", "mortgage_rejections"]))
    changes = data["bank_policy_changes"]
    if changes is None:
        s.blocks.append(Text([f"银行政策变化：{_note(data, 'bank_policy_changes')}。"], ["bank_policy_changes"]))
    else:
        s.blocks.append(Table("银行政策变化", ["银行", "生效日期", "说明", "变化"],
                              [[c["bank_name"], c["effective_from"], c["note"], c["changes"]] for c in changes]
                              or [["—", "—", "本季度无政策变化", "—"]], ["bank_policy_changes"]))
    promises, disputes, legal, closed = (data["promises_to_pay"], data["disputes"], data["legal_actions"],
                                         data["cases_closed"])
    s.blocks.append(Text([
        "承诺还款：" + ("；".join(f"{ {'kept': '已兑现', 'broken': '未兑现', 'open': '未到期'}[k]} {v['count']} 笔"
                                 f"（{wan(v['amount'])}）" for k, v in promises.items()) if promises
                    else _note(data, "promises_to_pay")) + "。",
        "客户异议：" + (f"新增 {disputes['opened']} 件，成立 {disputes['upheld']}、驳回 {disputes['rejected']}、"
                    f"撤回 {disputes['withdrawn']}、处理中 {disputes['open']}" if disputes
                    else _note(data, "disputes")) + "。",
        "法律手段：" + ("；".join(f"{LEGAL.get(k, k)} {v} 件" for k, v in legal.items()) if legal
                    else _note(data, "legal_actions")) + "。",
        "结案：" + ("；".join(f"{CLOSE_REASONS.get(k, k or '其他')} {v} 件" for k, v in closed.items()) if closed
                  else (_note(data, "cases_closed") if closed is None else "无")) + "。",
    ], ["promises_to_pay", "disputes", "legal_actions", "cases_closed"]))
    return s


def tools(data: dict[str, Any]) -> Section:
    s = Section(4, "工具与系统", "Tools")
    rate, sent, effect = data["reconciliation_auto_match_rate"], data["reminders_sent"], data["reminder_effect"]
    s.blocks.append(Text([
        "银行流水自动匹配率（本季到账流水中由系统自动匹配结清的比例）："
        + (pct(rate) if rate is not None else _note(data, "reconciliation_auto_match_rate"))
        + (f"，其中导入对账时首轮即自动匹配 {pct(data['reconciliation_first_pass_auto_rate'])}"
           if data.get("reconciliation_first_pass_auto_rate") is not None else "") + "。",
        "催收提醒发送：" + ("；".join(f"{CHANNELS.get(k, k)} {v} 条" for k, v in sent.items()) if sent
                       else (_note(data, "reminders_sent") if sent is None else "无")) + "。",
        "提醒后14天内回款的合同占比：" + (pct(effect) if effect is not None
                                 else _note(data, "reminder_effect") if "reminder_effect" in data["notes"]
                                 else NONE) + "。",
    ], ["reconciliation_auto_match_rate", "reconciliation_first_pass_auto_rate", "reminders_sent",
        "reminder_effect"]))
    return s


def next_quarter(data: dict[str, Any], period: Period) -> Section:
    s = Section(5, "下季度计划", "Next quarter")
    nxt = period.next()
    targets = data["next_quarter_targets"]
    s.blocks.append(Table(f"{nxt.label_zh}目标", ["项目", "签约目标", "套数", "回款目标"],
                          [[_project_name(data, c), wan(t["amount_signed"]), str(t["units"]),
                            wan(t["amount_collected"])] for c, t in targets.items()]
                          or [["—", "尚未设定", "—", "—"]], ["next_quarter_targets"]))
    forecast = data["cash_forecast"]
    weeks = forecast["weeks"]
    series: list[tuple[str, list[Decimal | None]]] = [("预测回款", [wan_number(w["forecast"]) for w in weeks])]
    if any(w["actual"] is not None for w in weeks):
        series.append(("实际回款", [wan_number(w["actual"]) for w in weeks]))
    s.blocks.append(Chart("未来13周现金流入预测（万元）", "line", [w["week_start"][5:] for w in weeks], series, "万元",
                          ["cash_forecast"]))
    error = forecast["error"]
    s.blocks.append(Text([
        f"13周预测回款合计 {wan(forecast['forecast_total'])}"
        + (f"；已过去各周实际回款 {wan(forecast['actual_total'])}，与预测相差 {wan(error)}。" if error is not None
           else "。"),
    ], ["cash_forecast"]))
    return s


def build_review(period: Period, scope: Scope, data: dict[str, Any] | None = None) -> Review:
    """The review of `period` over `scope` (from `data`, the kpis document, when given)."""
    data = data if data is not None else kpis_data(period, scope)
    return Review(
        title=f"{period.label_zh}销售回款经营分析",
        subtitle=f"Quarterly collection review {period.label} · {period.start} — {period.end}",
        period=period.label,
        sections=[results(data), process(data), difficulties(data), tools(data), next_quarter(data, period)],
        values=data,
    )
