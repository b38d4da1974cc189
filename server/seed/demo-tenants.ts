/** The demo's tenants and agents: three businesses in three time zones, with provider configurations that look real. */

export interface DemoAgent {
  name: string;
  /** First name the agent uses on calls. */
  persona: string;
  provider: 'bolna' | 'twilio';
  description: string;
  weight: number;
  skill: number;
  outboundShare: number;
  language: string;
  voice: string;
  welcome: string;
}

export interface DemoTenant {
  email: string;
  name: string;
  timezone: string;
  /** Share of the demo's calls. */
  weight: number;
  /** What the tenant sells (used in transcripts). */
  product: string;
  agents: DemoAgent[];
}

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_EMAIL = 'demo@switchboard.dev';
export const ADMIN_EMAIL = 'admin@switchboard.dev';

export const DEMO_TENANTS: readonly DemoTenant[] = [
  {
    email: DEMO_EMAIL,
    name: 'Hudson Realty Group',
    timezone: 'America/New_York',
    weight: 0.42,
    product: 'the new listings in Brooklyn and Queens',
    agents: [
      { name: 'Ava — Listing Outreach', persona: 'Ava', provider: 'bolna', description: 'Calls sellers who asked for a valuation.',
        weight: 1.3, skill: 0.03, outboundShare: 0.92, language: 'en-US', voice: 'Rachel', welcome: 'Hi, this is Ava from Hudson Realty.' },
      { name: 'Max — Buyer Qualification', persona: 'Max', provider: 'bolna', description: 'Qualifies buyer enquiries from the website.',
        weight: 1.0, skill: 0.0, outboundShare: 0.7, language: 'en-US', voice: 'Adam', welcome: 'Hello, Max here from Hudson Realty.' },
      { name: 'Riley — Open House Follow-up', persona: 'Riley', provider: 'twilio', description: 'Follows up with open house visitors.',
        weight: 0.8, skill: -0.03, outboundShare: 0.95, language: 'en-US', voice: 'Polly.Joanna', welcome: 'Hi, it is Riley from Hudson Realty.' },
      { name: 'Sam — Front Desk', persona: 'Sam', provider: 'twilio', description: 'Answers the main office line.',
        weight: 0.6, skill: 0.05, outboundShare: 0.05, language: 'en-US', voice: 'Polly.Matthew', welcome: 'Thanks for calling Hudson Realty, this is Sam.' },
    ],
  },
  {
    email: 'ops@northwind-insurance.co.uk',
    name: 'Northwind Insurance',
    timezone: 'Europe/London',
    weight: 0.3,
    product: 'home and contents cover',
    agents: [
      { name: 'Oliver — Renewals', persona: 'Oliver', provider: 'bolna', description: 'Reminds customers about policy renewals.',
        weight: 1.2, skill: 0.02, outboundShare: 0.9, language: 'en-GB', voice: 'George', welcome: 'Good morning, Oliver from Northwind Insurance.' },
      { name: 'Grace — Quotes', persona: 'Grace', provider: 'twilio', description: 'Calls back people who started a quote online.',
        weight: 1.0, skill: -0.02, outboundShare: 0.85, language: 'en-GB', voice: 'Polly.Amy', welcome: 'Hello, this is Grace from Northwind.' },
      { name: 'Harry — Claims Line', persona: 'Harry', provider: 'bolna', description: 'Takes first notice of loss on the claims line.',
        weight: 0.7, skill: 0.04, outboundShare: 0.1, language: 'en-GB', voice: 'Charlie', welcome: 'Northwind claims, Harry speaking.' },
    ],
  },
  {
    email: 'hello@lotusclinics.in',
    name: 'Lotus Health Clinics',
    timezone: 'Asia/Kolkata',
    weight: 0.28,
    product: 'a full health check-up package',
    agents: [
      { name: 'Priya — Appointment Reminders', persona: 'Priya', provider: 'bolna', description: 'Confirms and reschedules appointments.',
        weight: 1.4, skill: 0.05, outboundShare: 0.95, language: 'hi-IN', voice: 'Aditi', welcome: 'Namaste, this is Priya from Lotus Clinics.' },
      { name: 'Arjun — New Patients', persona: 'Arjun', provider: 'bolna', description: 'Handles enquiries from new patients.',
        weight: 1.0, skill: 0.0, outboundShare: 0.3, language: 'en-IN', voice: 'Raveena', welcome: 'Hello, Arjun from Lotus Health Clinics.' },
      { name: 'Meera — Lab Reports', persona: 'Meera', provider: 'twilio', description: 'Tells patients their lab reports are ready.',
        weight: 0.9, skill: 0.01, outboundShare: 0.97, language: 'en-IN', voice: 'Polly.Kajal', welcome: 'Hi, Meera calling from Lotus labs.' },
      { name: 'Kabir — Health Packages', persona: 'Kabir', provider: 'bolna', description: 'Offers preventive health packages.',
        weight: 0.8, skill: -0.04, outboundShare: 0.9, language: 'en-IN', voice: 'Kabir', welcome: 'Hello, this is Kabir from Lotus Health.' },
      { name: 'Ananya — Pharmacy Refills', persona: 'Ananya', provider: 'twilio', description: 'Reminds patients to refill prescriptions.',
        weight: 0.5, skill: 0.02, outboundShare: 0.9, language: 'hi-IN', voice: 'Polly.Aditi', welcome: 'Namaste, Ananya from Lotus pharmacy.' },
    ],
  },
];

/** A provider configuration of the shape Bolna's agent API or a Twilio voice app would hold. */
export function agentConfig(tenant: DemoTenant, agent: DemoAgent): Record<string, unknown> {
  if (agent.provider === 'bolna') {
    return {
      agent_config: {
        agent_name: agent.persona,
        agent_type: 'other',
        agent_welcome_message: agent.welcome,
        tasks: [{
          task_type: 'conversation',
          toolchain: { execution: 'parallel', pipelines: [['transcriber', 'llm', 'synthesizer']] },
          tools_config: {
            llm_agent: { agent_type: 'simple_llm_agent', llm_config: { provider: 'openai', model: 'gpt-4o-mini', max_tokens: 150, temperature: 0.2 } },
            synthesizer: { provider: 'elevenlabs', provider_config: { voice: agent.voice, model: 'eleven_turbo_v2_5' }, stream: true },
            transcriber: { provider: 'deepgram', model: 'nova-2', language: agent.language.slice(0, 2), endpointing: 250 },
            input: { provider: 'twilio', format: 'wav' },
            output: { provider: 'twilio', format: 'wav' },
          },
          task_config: { hangup_after_silence: 10, call_terminate: 900, voicemail: true, ambient_noise: false },
        }],
      },
      agent_prompts: { task_1: { system_prompt: `You are ${agent.persona}, calling on behalf of ${tenant.name}. ${agent.description} Be brief and friendly.` } },
    };
  }
  return {
    voice: agent.voice,
    language: agent.language,
    greeting: agent.welcome,
    voice_url: `https://voice.switchboard.dev/twilio/${encodeURIComponent(agent.persona.toLowerCase())}/answer`,
    status_callback_events: ['initiated', 'ringing', 'answered', 'completed'],
    record: true,
    machine_detection: 'DetectMessageEnd',
    timeout: 25,
    llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.3, instructions: `${agent.description} Represent ${tenant.name}.` },
  };
}
