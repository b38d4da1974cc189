/**
 * The settings pages hide every write control from viewers (the database
 * refuses their writes anyway): server-side rendered, owner against viewer.
 */
import { createElement, type ReactElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AgentsSettingsPage } from '../../../dashboard/src/pages/settings/AgentsSettingsPage.tsx';
import { AlertPhoneForm, ProfileForm, PromptsForm } from '../../../dashboard/src/pages/settings/AccountPage.tsx';
import { TargetsSettingsPage } from '../../../dashboard/src/pages/settings/TargetsSettingsPage.tsx';
import type { MemberRole, Session } from '../../../dashboard/src/session.ts';

const html = (element: ReactElement): string => renderToString(element).replaceAll('<!-- -->', '');

function session(role: MemberRole): Session {
  return { tenantName: 'Acme', timeZone: 'Europe/Berlin', isAdmin: false, role, agents: [] };
}

const tenant = {
  rowId: '00000000-0000-0000-0000-000000000001', name: 'Acme', timezone: 'Europe/Berlin', analysisPromptIndividual: 'Score it.',
  analysisPromptComplete: null, analysisPromptVersion: 3, alertPhone: '+4930123456',
};

describe('settings pages for a viewer', () => {
  it('agents and targets: the forms are there for a manager or owner, absent for a viewer', () => {
    for (const page of [AgentsSettingsPage, TargetsSettingsPage]) {
      expect(html(createElement(page, { session: session('manager') }))).toContain('<form');
      const viewer = html(createElement(page, { session: session('viewer') }));
      expect(viewer).not.toContain('<form');
      expect(viewer).not.toContain('<button');
    }
  });

  it('account: values shown read-only, no save buttons', () => {
    for (const form of [ProfileForm, PromptsForm, AlertPhoneForm]) {
      const owner = html(createElement(form, { tenant, writable: true, onSaved: () => undefined }));
      expect(owner).toContain('type="submit"');
      const viewer = html(createElement(form, { tenant, writable: false, onSaved: () => undefined }));
      expect(viewer).not.toContain('<button');
      expect(viewer).toContain('readOnly=""');
    }
  });
});
