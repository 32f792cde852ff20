// The consumer app's form page: one launch form with react-hook-form (standardSchemaResolver) and
// one with TanStack Form (the schema as its onChange validator), each field showing the message
// of the core's violation at its path, e.g. `fileIds.0` for the violation at `/fileIds/0`.
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { useForm } from 'react-hook-form';
import { standardSchemaResolver } from '@hookform/resolvers/standard-schema';
import { useForm as useTanStackForm } from '@tanstack/react-form';
import { launchSchema } from 'agentrules';

type Launch = { prompt: { text: string }; fileIds: string[] };
const schema = launchSchema<Launch>();
const defaultValues: Launch = { prompt: { text: 'Summarise the drawings' }, fileIds: ['6f1c3b0e-1d2a-4c3b-9e8f-0a1b2c3d4e5f'] };

function HookForm() {
  const { register, formState: { errors } } = useForm<Launch>({ resolver: standardSchemaResolver(schema), mode: 'onChange', defaultValues });
  return (
    <form id="rhf">
      <input id="rhf-text" {...register('prompt.text')} />
      <p id="rhf-text-error">{errors.prompt?.text?.message}</p>
      <input id="rhf-file" {...register('fileIds.0')} />
      <p id="rhf-file-error">{errors.fileIds?.[0]?.message}</p>
    </form>
  );
}

/** What a TanStack Form text field renders: its input and its errors' messages. */
type TextField = { state: { value: string; meta: { errors: ReadonlyArray<{ message: string } | undefined> } }; handleChange: (value: string) => void };
const textField = (id: string) => (field: TextField) => (
  <>
    <input id={id} value={field.state.value} onChange={(e) => field.handleChange(e.target.value)} />
    <p id={`${id}-error`}>{field.state.meta.errors.map((e) => e?.message).join('; ')}</p>
  </>
);

function TanStackForm() {
  const form = useTanStackForm({ defaultValues, validators: { onChange: schema } });
  return (
    <form id="tsf">
      <form.Field name="prompt.text">{textField('tsf-text')}</form.Field>
      <form.Field name="fileIds[0]">{textField('tsf-file')}</form.Field>
    </form>
  );
}

function App() {
  useEffect(() => {
    document.body.dataset.ready = 'true';
  }, []);
  return (
    <>
      <HookForm />
      <TanStackForm />
    </>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
