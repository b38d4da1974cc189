/**
 * Short call scripts the generator turns into transcripts. Placeholders:
 * {agent} (the agent's first name), {name} (the contact's first name),
 * {business} (the tenant), {product} (what the tenant sells) and {company}
 * (the contact's company). The generator picks a script per call, fills it in
 * and spreads the turns over the call's duration in proportion to their length.
 */

export type Speaker = 'agent' | 'user';
export type Turn = readonly [Speaker, string];

export const CONVERSATIONS: readonly (readonly Turn[])[] = [
  [
    ['agent', 'Hi, this is {agent} from {business}. Am I speaking with {name}?'],
    ['user', 'Yes, speaking.'],
    ['agent', 'Thanks for your interest in {product}. Do you have two minutes?'],
    ['user', 'Sure, I was actually going to call you. What does it cost?'],
    ['agent', 'It depends on the package; most customers like you start with our standard plan.'],
    ['user', 'Can you send me the pricing? I need to compare before the end of the month.'],
    ['agent', 'Of course. I will email the price sheet today and call you back on Thursday.'],
    ['user', 'Perfect, thanks {agent}.'],
  ],
  [
    ['agent', 'Good morning {name}, {agent} calling from {business} about {product}.'],
    ['user', 'Oh, hi. We spoke last week, right?'],
    ['agent', 'That is right. You mentioned {company} might need this next quarter.'],
    ['user', 'Yes, my manager wants to see it working first.'],
    ['agent', 'Would a short demo on Wednesday afternoon work for both of you?'],
    ['user', 'Wednesday at three should be fine. Please send an invite.'],
    ['agent', 'Done. You will get a calendar invite in a few minutes.'],
  ],
  [
    ['agent', 'Hello, this is {agent} from {business}. Is this a good time, {name}?'],
    ['user', 'Not really, I am driving.'],
    ['agent', 'No problem. When should I call you back?'],
    ['user', 'Tomorrow morning, maybe around ten.'],
    ['agent', 'Great, I will call you tomorrow at ten. Have a safe drive.'],
  ],
  [
    ['agent', 'Hi {name}, {agent} here from {business}. I am following up on your enquiry about {product}.'],
    ['user', 'Thanks, but we already signed with someone else.'],
    ['agent', 'I understand. May I ask what made you choose them?'],
    ['user', 'Mostly the price, to be honest.'],
    ['agent', 'Fair enough. If anything changes, we are happy to help. Can I check back in six months?'],
    ['user', 'Sure, that is fine.'],
  ],
  [
    ['user', 'Hello, I saw your ad and wanted to ask about {product}.'],
    ['agent', 'Thanks for calling {business}, my name is {agent}. May I have your name?'],
    ['user', 'It is {name}, from {company}.'],
    ['agent', 'Nice to meet you, {name}. What are you looking for exactly?'],
    ['user', 'We need something quickly, ideally this week. Is that possible?'],
    ['agent', 'Yes, we can usually start within a few days. Shall I have a specialist call you today?'],
    ['user', 'Yes please, as soon as possible. Could I speak to a person now?'],
    ['agent', 'Let me connect you to a colleague right away.'],
  ],
  [
    ['agent', 'Hello {name}, this is {agent} from {business}. You requested a sample of {product}.'],
    ['user', 'Right, I did. Has it shipped?'],
    ['agent', 'It ships today. Would you like a quick call next week to hear what you think?'],
    ['user', 'Maybe. Send me an email and I will reply.'],
    ['agent', 'Will do. Thank you for your time, {name}.'],
  ],
];
