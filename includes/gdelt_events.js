// How a GDELT event becomes an application-style event: its type, title, risk score and
// severity. Pure SQL fragments over int_focus_events' columns; the README documents the mapping.

// CAMEO root codes (two digits) and what they mean.
const ROOTS = {
  "01": "Make public statement",
  "02": "Appeal",
  "03": "Express intent to cooperate",
  "04": "Consult",
  "05": "Engage in diplomatic cooperation",
  "06": "Engage in material cooperation",
  "07": "Provide aid",
  "08": "Yield",
  "09": "Investigate",
  "10": "Demand",
  "11": "Disapprove",
  "12": "Reject",
  "13": "Threaten",
  "14": "Protest",
  "15": "Exhibit military posture",
  "16": "Reduce relations",
  "17": "Coerce",
  "18": "Assault",
  "19": "Fight",
  "20": "Use unconventional mass violence",
};

// event_type by root code; CAMEO 163 (impose embargo, boycott or sanctions) is "sanctions".
const TYPES = {
  diplomacy: ["01", "02", "03", "04", "05"],
  cooperation: ["06", "07", "08"],
  dispute: ["09", "10", "11", "12"],
  tension: ["13", "15", "16"],
  protest: ["14"],
  coercion: ["17"],
  violence: ["18", "19", "20"],
};

const quoted = (codes) => codes.map((c) => `'${c}'`).join(", ");

function eventType(codeColumn, rootColumn) {
  const whens = Object.entries(TYPES).map(([type, roots]) => `when ${rootColumn} in (${quoted(roots)}) then '${type}'`);
  return `case when starts_with(${codeColumn}, '163') then 'sanctions' ${whens.join(" ")} else 'other' end`;
}

function rootLabel(rootColumn) {
  const whens = Object.entries(ROOTS).map(([code, label]) => `when '${code}' then '${label}'`);
  return `case ${rootColumn} ${whens.join(" ")} end`;
}

// 0 (most cooperative) .. 100 (most destabilising): 70% the Goldstein scale (-10..+10, inverted),
// 30% the articles' tone (-100..+100; each tone point below 0 adds 5, clamped to 0..100).
function riskScore(goldsteinColumn, toneColumn) {
  const goldstein = `(10 - coalesce(${goldsteinColumn}, 0)) * 5`;
  const tone = `least(greatest(50 - 5 * coalesce(${toneColumn}, 0), 0), 100)`;
  return `round(0.7 * ${goldstein} + 0.3 * ${tone}, 2)`;
}

function severity(riskColumn) {
  return `case
      when ${riskColumn} >= 80 then 'SEV1_CRITICAL'
      when ${riskColumn} >= 60 then 'SEV2_HIGH'
      when ${riskColumn} >= 40 then 'SEV3_MEDIUM'
      when ${riskColumn} >= 20 then 'SEV4_LOW'
      else 'SEV5_MINIMAL'
    end`;
}

module.exports = { ROOTS, TYPES, eventType, rootLabel, riskScore, severity };
